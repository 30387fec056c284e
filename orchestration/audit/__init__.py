"""`chargelake audit`: walk a report figure or a raw partition back to the API windows it came from."""
