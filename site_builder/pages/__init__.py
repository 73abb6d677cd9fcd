"""Page renderers: plain functions from the index to page HTML/Markdown (no MkDocs)."""
