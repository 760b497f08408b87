"""English dates as Upturn has always written them ("7 Dec 2026"), where Django's English
would write "Dec. 7, 2026". Templates name a format (``|date:"DATE_FORMAT"``) rather
than spell one out, so French, German and Spanish readers get their own (Django's
formats for those languages): "07/12/2026", "07.12.2026", "7. Dezember 2026"..."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
