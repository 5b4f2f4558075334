"""Re-planning a published roster: changes proposed after publication, checked before they are published."""
