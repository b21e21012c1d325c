"""Target antigens: antigen mentions in text (`mentions`) and the trial's target links and
status (`targets`)."""
