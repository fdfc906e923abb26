"""Release files: CSV and XLSX read into validated rows, and written back."""
