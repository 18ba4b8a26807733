/** QR decoding on any phone: the browser's BarcodeDetector where it exists, else jsQR on canvas frames. */

type Source = HTMLVideoElement | HTMLImageElement | ImageBitmap

interface NativeDetector {
  detect(source: Source): Promise<{ rawValue: string }[]>
}
interface DetectorCtor {
  new (o: { formats: string[] }): NativeDetector
  getSupportedFormats?: () => Promise<string[]>
}

export type Decode = (source: Source) => Promise<string | null>

/** A live camera exists only in a secure context with getUserMedia (plain http on a LAN has none). */
export function cameraAvailable(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia && window.isSecureContext
}

async function nativeDecoder(): Promise<Decode | null> {
  const Ctor = (window as unknown as { BarcodeDetector?: DetectorCtor }).BarcodeDetector
  if (!Ctor) return null
  try {
    const formats = Ctor.getSupportedFormats ? await Ctor.getSupportedFormats() : ['qr_code']
    if (!formats.includes('qr_code')) return null
    const detector = new Ctor({ formats: ['qr_code'] })
    return async (source) => {
      const codes = await detector.detect(source).catch(() => [])
      return codes.length ? codes[0].rawValue : null
    }
  } catch {
    return null
  }
}

function size(source: Source): [number, number] {
  if (source instanceof HTMLVideoElement) return [source.videoWidth, source.videoHeight]
  if (source instanceof HTMLImageElement) return [source.naturalWidth, source.naturalHeight]
  return [source.width, source.height]
}

/** jsQR (loaded on first use) on a frame scaled to at most 800 px: fast enough at 4 frames/s on old phones. */
async function jsDecoder(): Promise<Decode> {
  const { default: jsQR } = await import('jsqr')
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  if (!ctx) throw new Error('canvas 2d unavailable')
  return async (source) => {
    const [w, h] = size(source)
    if (!w || !h) return null
    const scale = Math.min(1, 800 / Math.max(w, h))
    canvas.width = Math.round(w * scale)
    canvas.height = Math.round(h * scale)
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height)
    const frame = ctx.getImageData(0, 0, canvas.width, canvas.height)
    return jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'attemptBoth' })?.data ?? null
  }
}

let cached: Promise<{ decode: Decode; engine: 'native' | 'jsqr' }> | null = null

/** The best decoder this browser has (memoised). */
export function qrDecoder(): Promise<{ decode: Decode; engine: 'native' | 'jsqr' }> {
  cached ??= (async () => {
    const native = await nativeDecoder()
    return native ? { decode: native, engine: 'native' as const } : { decode: await jsDecoder(), engine: 'jsqr' as const }
  })()
  return cached
}

/** Decode a photo of the code (works without camera access: the file picker opens the camera app). */
export async function decodePhoto(file: Blob): Promise<string | null> {
  const { decode } = await qrDecoder()
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.src = url
    await img.decode()
    return await decode(img)
  } finally {
    URL.revokeObjectURL(url)
  }
}
