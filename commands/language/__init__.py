"""The /mdt language, pure: grammar, dates, working days, SMART, sectors. No session."""
