"""An invoice's documents in the private S3 bucket: its JSON, and a PDF per status it has had.

The PDF's key names the invoice's status, so a paid invoice never serves the PDF printed while
it was open: a missing PDF is rendered (and kept) on first download. Downloads go through a
short-lived presigned URL; the bucket itself is never public.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from billfold.invoicing.models import Invoice
from billfold.models import ApiModel

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

URL_LIFETIME = timedelta(minutes=5)


class DocumentLink(ApiModel):
    """Where to download a document, until when."""

    url: str
    expires_at: datetime


def json_key(invoice: Invoice) -> str:
    """The S3 key of the invoice's JSON document."""
    return f"invoices/{invoice.customer_id}/{invoice.id}.json"


def pdf_key(invoice: Invoice) -> str:
    """The S3 key of the invoice's PDF as of its current status."""
    return f"invoices/{invoice.customer_id}/{invoice.id}-{invoice.status}.pdf"


@dataclass(frozen=True)
class InvoiceDocuments:
    """The invoice bucket."""

    s3: "S3Client"
    bucket: str

    def _put(self, key: str, body: bytes, content_type: str) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption="AES256",
        )

    def _exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def store(self, invoice: Invoice) -> None:
        """Write the invoice's JSON and its PDF (as of its status)."""
        from billfold.invoicing.pdf import render_invoice_pdf

        self._put(
            json_key(invoice), invoice.model_dump_json(by_alias=True).encode(), "application/json"
        )
        self._put(pdf_key(invoice), render_invoice_pdf(invoice), "application/pdf")

    def pdf_link(self, invoice: Invoice, now: datetime) -> DocumentLink:
        """A presigned download URL for the invoice's PDF, rendering it first if missing."""
        key = pdf_key(invoice)
        if not self._exists(key):
            self.store(invoice)
        url = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{invoice.number}.pdf"',
                "ResponseContentType": "application/pdf",
            },
            ExpiresIn=int(URL_LIFETIME.total_seconds()),
        )
        return DocumentLink(url=url, expires_at=now + URL_LIFETIME)
