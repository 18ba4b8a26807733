/**
 * The module registry: every domain's web module, listed once. Add yours here
 * (see web/README.md): import it and append it to `modules`.
 */
import type { CampusModule } from './types'
import org from './org'
import device from './device'
import events from './events'
import accounts from './accounts'
import audit from './audit'
import face from './face'
import alarm from './alarm'
import hazard from './hazard'
import task from './task'
import drill from './drill'

export const modules: CampusModule[] = [org, device, events, accounts, audit, alarm, hazard, task, drill, face]

export type { CampusModule, MenuItem, MobileTile } from './types'
