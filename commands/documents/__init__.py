"""What templates are given and how files are rendered: view models, filters, documents."""
