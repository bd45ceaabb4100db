"""What a trial measures."""
