"""Text embeddings and the pgvector searches built on them."""
