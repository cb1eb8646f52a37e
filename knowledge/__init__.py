"""Policy knowledge base: loading, chunking, embedding, hybrid retrieval with citations."""
