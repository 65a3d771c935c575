"""Files: a container's file tree, and copying files in (drag and drop) and out."""
