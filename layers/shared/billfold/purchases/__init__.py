"""Buying prepaid credits: a pack invoiced and charged at once, credited once it is paid."""
