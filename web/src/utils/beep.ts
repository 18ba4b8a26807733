/** A short two-tone alert beep made with WebAudio (no audio asset to ship). */
let ctx: AudioContext | null = null

function context(): AudioContext | null {
  if (ctx) return ctx
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Ctor) return null
  ctx = new Ctor()
  return ctx
}

/** Browsers only allow audio after a user gesture: call this from any click handler. */
export function unlockAudio(): void {
  const c = context()
  if (c && c.state === 'suspended') void c.resume().catch(() => undefined)
}

export function beep(times = 2, frequency = 880, durationMs = 160): void {
  const c = context()
  if (!c) return
  if (c.state === 'suspended') void c.resume().catch(() => undefined)
  const start = c.currentTime + 0.01
  for (let i = 0; i < times; i++) {
    const t0 = start + i * (durationMs / 1000) * 1.6
    const osc = c.createOscillator()
    const gain = c.createGain()
    osc.type = 'square'
    osc.frequency.setValueAtTime(i % 2 ? frequency * 1.25 : frequency, t0)
    gain.gain.setValueAtTime(0.0001, t0)
    gain.gain.exponentialRampToValueAtTime(0.15, t0 + 0.01)
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + durationMs / 1000)
    osc.connect(gain).connect(c.destination)
    osc.start(t0)
    osc.stop(t0 + durationMs / 1000 + 0.02)
  }
}
