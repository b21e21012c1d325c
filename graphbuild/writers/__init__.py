"""Writers: a Record back to text in one of the layouts the readers read."""
