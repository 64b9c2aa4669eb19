"""Reports: text tables here; figures (matplotlib) in submodules imported on demand."""
