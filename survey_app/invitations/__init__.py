"""Invitation codes (*mã mời*): made in batches for a campaign and unit, exported as CSV and
letters, and judged open, used or expired when a citizen opens one."""
