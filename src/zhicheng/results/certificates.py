"""The certificate as a printable PDF: the holder, the title, the committee, the number, and a QR code that opens the
public verification page with the certificate's code (reportlab's CJK CID font and QR widget: no font files, no
extra package)."""

from __future__ import annotations

import io

from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.results.models import Certificate


def verification_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{code}/"


def certificate_pdf(cert: Certificate, *, base_url: str, revoked: bool = False) -> bytes:
    """``base_url``: where the public reaches the platform (ZHICHENG_PUBLIC_URL, else the address of the request)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"专业技术职务任职资格证书 {cert.number}")
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFont("STSong-Light", 30)
    pdf.drawCentredString(width / 2, height - 110, "专业技术职务任职资格证书")
    pdf.setFont("STSong-Light", 16)
    level = LEVEL_LABELS.get(cert.level, cert.level)
    way = "认定" if cert.way == "recognition" else "评审"
    lines = [
        f"姓名：{cert.holder_name}",
        "系列：工程系列",
        f"专业：{cert.specialty_name}",
        f"资格名称：{level}",
        f"经{cert.committee}{cert.year}年度{way}通过，具备{level}任职资格。",
        f"证书编号：{cert.number}",
        f"发证日期：{cert.issued_on.year}年{cert.issued_on.month}月{cert.issued_on.day}日",
    ]
    y = height - 180
    for line in lines:
        pdf.drawString(90, y, line)
        y -= 36
    url = verification_url(base_url, cert.code)
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    size = 130.0
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, width - 90 - size, 110)
    pdf.setFont("STSong-Light", 11)
    pdf.drawCentredString(width - 90 - size / 2, 92, f"验证码：{cert.code}")
    pdf.drawCentredString(width - 90 - size / 2, 76, "扫码或登录平台“证书查验”核验")
    if revoked:
        pdf.setFillColorRGB(0.8, 0, 0)
        pdf.setFont("STSong-Light", 60)
        pdf.drawCentredString(width / 2, height / 2 - 20, "已撤销")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
