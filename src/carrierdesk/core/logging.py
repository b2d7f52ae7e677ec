"""Log output without personal data (R-SEC-2): every line, tracebacks included, leaves through
a formatter that masks the phone, ID and bank card numbers found in it (`masking.mask_text`)."""

import logging

from carrierdesk.core.masking import mask_text


class MaskingFormatter(logging.Formatter):
    """A `logging.Formatter` whose output has personal numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))
