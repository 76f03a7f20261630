"""Staff e-mail over SMTP (the notifier port routing.ports.StaffMailer): the daily digest and
overdue alerts go to the mail server set in settings.email; only scheduler jobs use it.

Settings (config.yaml `email:`): host ("" = no e-mail, notifications stay in the console), port,
from, starttls (upgrade a plain connection, usually port 587), ssl (TLS from the start, port 465),
timeout_seconds; the login from the environment only (SMTP_USER, SMTP_PASSWORD).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from routing.ports import MailError, StaffEmail, StaffMailer
from settings import EmailSettings

logger = logging.getLogger(__name__)
SENDER_NAME = "Hệ thống tiếp nhận PAKN Hà Nội"


class SmtpMailer(StaffMailer):
    def __init__(self, settings: EmailSettings) -> None:
        self.host = settings.host
        self.port = settings.port
        self.sender = settings.sender
        self.starttls = settings.starttls
        self.use_ssl = settings.ssl
        self.timeout = settings.timeout_seconds
        self.user = settings.user
        self.password = settings.password

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.sender)

    def message(self, email: StaffEmail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((SENDER_NAME, self.sender))
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(email.body, charset="utf-8")
        return message

    def send(self, email: StaffEmail) -> None:
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(self.message(email))
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{self.host}:{self.port}: {error}") from error
        logger.debug("staff e-mail sent to %s: %s", email.to, email.subject)

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
        return smtp


def build_mailer(settings: EmailSettings) -> SmtpMailer | None:
    """The SMTP mailer, or None when no mail server is configured."""
    mailer = SmtpMailer(settings)
    if not mailer.enabled:
        logger.info("no SMTP server configured: staff notifications are not e-mailed")
        return None
    return mailer
