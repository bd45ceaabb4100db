"""Reading, checking and preparing the user's data."""
