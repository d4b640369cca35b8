import QRCode from 'qrcode';

/**
 * The otpauth:// URI of an enrolment as a QR code an authenticator app scans: SVG (sharp
 * at any size, about 2 KB) in a data: URL, which the page CSP allows for images only.
 */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** A secret to type by hand: groups of four, as authenticator apps show and accept them. */
export const inGroupsOfFour = (secret: string): string => (secret.match(/.{1,4}/g) ?? []).join(' ');
