/** Video module: video wall, playback with clips, camera admin with viewer history, parents' class view. */
import { Camera as CameraIcon, Film, Monitor, VideoCamera } from '@element-plus/icons-vue'
import { defineModule } from '../types'

const issueZh = {
  no_signal: '无信号', frozen: '画面冻结', black: '黑屏', uniform: '画面单一/遮挡', blur: '模糊/遮挡',
  low_resolution: '分辨率不达标', recording_gap: '录像中断', retention_short: '存储不足30天', aging: '设备超期服役',
  blind_spot: '重点区域无在线摄像机',
}
const issueEn = {
  no_signal: 'No signal', frozen: 'Frozen', black: 'Black', uniform: 'Uniform / covered', blur: 'Blurred / occluded',
  low_resolution: 'Low resolution', recording_gap: 'Recording gap', retention_short: 'Retention < 30 days',
  aging: 'Past service life', blind_spot: 'Key area without an online camera',
}

export default defineModule({
  name: 'video',
  routes: [
    { path: 'video/wall', name: 'video-wall', component: () => import('./VideoWall.vue'),
      meta: { permission: 'video.live', title: 'video.wall' } },
    { path: 'video/playback', name: 'video-playback', component: () => import('./Playback.vue'),
      meta: { permission: 'video.playback', title: 'video.playback' } },
    { path: 'video/cameras', name: 'video-cameras', component: () => import('./CameraAdmin.vue'),
      meta: { permission: ['video.admin', 'video.live'], title: 'video.cameras' } },
  ],
  menu: [
    { key: 'video-wall', title: 'video.wall', path: '/video/wall', icon: Monitor, permission: 'video.live', group: 'ops', order: 32 },
    { key: 'video-playback', title: 'video.playback', path: '/video/playback', icon: Film, permission: 'video.playback', group: 'ops', order: 33 },
    { key: 'video-cameras', title: 'video.cameras', path: '/video/cameras', icon: VideoCamera, permission: ['video.admin', 'video.live'], group: 'ops', order: 34 },
  ],
  mobileRoutes: [
    { path: 'video/class', name: 'm-video-class', component: () => import('./ParentView.vue'),
      meta: { permission: 'video.parent', title: 'video.parentTitle' } },
    { path: 'video/wall', name: 'm-video-wall', component: () => import('./VideoWall.vue'),
      meta: { permission: 'video.live', title: 'video.wall' } },
  ],
  mobileTiles: [
    { key: 'video-class', title: 'video.parentTitle', to: '/m/video/class', icon: CameraIcon, permission: 'video.parent', color: '#e6a23c', order: 20 },
    { key: 'video-wall', title: 'video.wall', to: '/m/video/wall', icon: Monitor, permission: 'video.live', color: '#409eff', order: 25 },
  ],
  messages: {
    'zh-CN': {
      video: {
        wall: '视频墙', playback: '录像回放', cameras: '摄像机', camera: '摄像机', school: '学校', state: '状态',
        stream: '码流', issues: '诊断问题', classes: '班级', private: '隐私区域，不可共享', add: '添加摄像机',
        subStream: '子码流', username: '用户名', password: '密码', cancel: '取消', save: '保存', viewers: '观看记录',
        viewer: '观看人', role: '角色', kind: '类型', from: '开始', to: '结束', onlyOnline: '仅在线', tour: '轮巡',
        noCameras: '暂无可查看的摄像机', search: '查询', clip: '固定证据', download: '下载 MP4', seekHint: '点击跳转',
        recorded: '已录制', gaps: '中断', gapStart: '中断开始', gapEnd: '中断结束', reason: '原因', clipSaved: '证据已保存',
        classesHint: '班级名称，逗号分隔', parentTitle: '班级实时视频', closedNow: '当前不在开放时段',
        issue: issueZh,
      },
    },
    en: {
      video: {
        wall: 'Video wall', playback: 'Playback', cameras: 'Cameras', camera: 'Camera', school: 'School', state: 'State',
        stream: 'Stream', issues: 'Issues', classes: 'Classes', private: 'Private area, never shared', add: 'Add camera',
        subStream: 'Sub stream', username: 'Username', password: 'Password', cancel: 'Cancel', save: 'Save',
        viewers: 'Viewer history', viewer: 'Viewer', role: 'Role', kind: 'Kind', from: 'From', to: 'To',
        onlyOnline: 'Online only', tour: 'Tour', noCameras: 'No cameras to show', search: 'Search', clip: 'Evidence clip',
        download: 'Download MP4', seekHint: 'Click to seek', recorded: 'Recorded', gaps: 'Gaps', gapStart: 'Gap start',
        gapEnd: 'Gap end', reason: 'Reason', clipSaved: 'Evidence saved', classesHint: 'Class names, comma separated',
        parentTitle: 'Class live view', closedNow: 'Viewing is closed now', issue: issueEn,
      },
    },
  },
})
