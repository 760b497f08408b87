"""The surveys app's views, one module per audience or area (see urls)."""
