"""What the platform prints and reads as files: helpers shared by every workbook and document (no models)."""
