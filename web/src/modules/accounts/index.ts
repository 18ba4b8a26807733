/** Accounts module: the user list for administrators. */
import { User } from '@element-plus/icons-vue'
import { defineModule } from '../types'

export default defineModule({
  name: 'accounts',
  routes: [
    {
      path: 'users',
      name: 'users',
      component: () => import('./UserList.vue'),
      meta: { permission: 'user.admin', title: 'accounts.menu' },
    },
  ],
  menu: [{ key: 'users', title: 'accounts.menu', path: '/users', icon: User, permission: 'user.admin', group: 'system', order: 80 }],
  messages: {
    'zh-CN': {
      accounts: {
        menu: '用户管理',
        search: '用户名/姓名',
        username: '用户名',
        displayName: '姓名',
        role: '角色',
        scope: '管辖范围',
        mfa: '双因素',
        mfaOn: '已启用',
        mfaOff: '未启用',
        status: '状态',
        active: '正常',
        disabled: '已停用',
      },
    },
    en: {
      accounts: {
        menu: 'Users',
        search: 'Username or name',
        username: 'Username',
        displayName: 'Name',
        role: 'Role',
        scope: 'Scope',
        mfa: 'MFA',
        mfaOn: 'On',
        mfaOff: 'Off',
        status: 'Status',
        active: 'Active',
        disabled: 'Disabled',
      },
    },
  },
})
