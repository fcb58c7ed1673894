"""Printed documents (A4 PDF, Simplified Chinese, embedded CJK font): the daily sheet, the monthly sheet."""
