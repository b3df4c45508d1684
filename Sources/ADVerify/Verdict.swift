import ADNumeric
