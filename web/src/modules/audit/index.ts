/** Audit module: browsing the hash-chained audit log. */
import { Document } from '@element-plus/icons-vue'
import { defineModule } from '../types'

export default defineModule({
  name: 'audit',
  routes: [
    {
      path: 'audit',
      name: 'audit',
      component: () => import('./AuditLog.vue'),
      meta: { permission: 'audit.read', title: 'audit.menu' },
    },
  ],
  menu: [{ key: 'audit', title: 'audit.menu', path: '/audit', icon: Document, permission: 'audit.read', group: 'system', order: 90 }],
  messages: {
    'zh-CN': {
      audit: {
        menu: '审计日志',
        subtitle: '所有写操作与敏感查询均留痕，逐条哈希链防篡改',
        seq: '序号',
        at: '时间',
        actor: '操作人',
        role: '角色',
        action: '操作',
        target: '对象',
        school: '学校',
        requestId: '请求 ID',
        since: '开始时间',
        until: '结束时间',
        verify: '校验哈希链',
        verifyOk: '哈希链完整：共 {n} 条记录，未发现篡改',
        verifyBad: '哈希链在第 {seq} 条断开：{reason}',
      },
    },
    en: {
      audit: {
        menu: 'Audit log',
        subtitle: 'Every write and sensitive read, hash-chained against tampering',
        seq: 'Seq',
        at: 'Time',
        actor: 'Actor',
        role: 'Role',
        action: 'Action',
        target: 'Target',
        school: 'School',
        requestId: 'Request ID',
        since: 'From',
        until: 'To',
        verify: 'Verify hash chain',
        verifyOk: 'Chain intact: {n} rows, no tampering found',
        verifyBad: 'Chain broken at row {seq}: {reason}',
      },
    },
  },
})
