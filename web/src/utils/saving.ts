/** A form's "saving…" flag and the server's problem detail, kept the same way by every create/edit dialog. */
import { ref } from 'vue'
import { ApiError } from '@/api'

interface FieldError { loc?: unknown[]; msg?: string }

/** The problem's detail, plus which fields a 422 names (its generic detail alone says nothing useful). */
export function problemText(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message
  const errors = Array.isArray(err.problem.errors) ? (err.problem.errors as FieldError[]) : []
  if (!errors.length) return err.detail
  const fields = errors.map((e) => {
    const where = (e.loc ?? []).filter((part) => part !== 'body').join('.')
    return where ? `${where}: ${e.msg ?? ''}` : (e.msg ?? '')
  })
  return `${err.detail} — ${fields.join('; ')}`
}

export function useSaving() {
  const saving = ref(false)
  const error = ref<string | null>(null)

  /** Runs one save; a failure leaves its problem text in `error` and resolves to undefined. */
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    saving.value = true
    error.value = null
    try {
      return await action()
    } catch (err) {
      error.value = problemText(err)
      return undefined
    } finally {
      saving.value = false
    }
  }

  return { saving, error, run }
}
