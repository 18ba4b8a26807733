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
import video from './video'
import patrol from './patrol'
import bulletin from './bulletin'
import stats from './stats'
import assessment from './assessment'
import rollout from './rollout'

export const modules: CampusModule[] = [org, device, events, accounts, audit, alarm, hazard, task, drill, face, patrol, bulletin, video, stats, assessment, rollout]

export type { CampusModule, MenuItem, MobileTile } from './types'
