// The window icon, drawn at start-up (no image file to install): a rounded blue tile with two
// white arrows chasing each other, the app's "work goes round, the window stays live".
#include <QtCore/QThread>
#include <QtGui/QGuiApplication>
#include <QtGui/QIcon>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>
#include <QtGui/QPixmap>

static QPixmap
drawIcon(int size)
{
  QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  const qreal s = size;
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(0x3d, 0x7b, 0xd9));
  p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.2, s * 0.2);
  QPen pen(Qt::white, s * 0.09, Qt::SolidLine, Qt::RoundCap);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  const QRectF ring(s * 0.22, s * 0.22, s * 0.56, s * 0.56);
  p.drawArc(ring, 30 * 16, 120 * 16);
  p.drawArc(ring, 210 * 16, 120 * 16);
  p.setPen(Qt::NoPen);
  p.setBrush(Qt::white);
  for (int half = 0; half < 2; ++half) {
    p.save();
    p.translate(s / 2, s / 2);
    p.rotate(half * 180);
    QPainterPath head;
    head.moveTo(s * 0.14, -s * 0.30);
    head.lineTo(s * 0.02, -s * 0.40);
    head.lineTo(s * 0.02, -s * 0.20);
    head.closeSubpath();
    p.drawPath(head);
    p.restore();
  }
  p.end();
  return QPixmap::fromImage(image);
}

extern "C" void
async_jobs_set_window_icon()
{
  // Only with an application, on its thread (Qt's rule for GUI objects); else do nothing.
  if (qGuiApp == nullptr || QThread::currentThread() != qGuiApp->thread())
    return;
  QIcon icon;
  for (int size : { 16, 32, 48, 64, 128, 256 })
    icon.addPixmap(drawIcon(size));
  QGuiApplication::setWindowIcon(icon);
}
