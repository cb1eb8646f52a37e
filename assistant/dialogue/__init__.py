"""What the assistant is waiting for (ask + quick-reply choices), clicked choices, and the loop guard."""
