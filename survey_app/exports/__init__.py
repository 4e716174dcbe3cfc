"""Exports of a campaign's data (*xuất dữ liệu*): submissions with their design variables and
weights as CSV, XLSX, SPSS ``.sav`` and Stata ``.dta`` with labels, a codebook, and the results
tables as XLSX. CSV and XLSX are written row by row, so memory stays bounded.
"""
