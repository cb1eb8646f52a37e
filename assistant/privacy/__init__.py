"""Data-subject rights (GDPR, CCPA/CPRA, LGPD, PIPL): find everything about one person, export it, erase it; the
queue of privacy requests; retention."""
