/** Console entry: plugins, module messages, and (in production) the service worker. */
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import { installModuleMessages } from './registry'
import { router } from './router'
import { registerServiceWorker } from './sw-register'

installModuleMessages()
document.documentElement.lang = i18n.global.locale.value

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(ElementPlus)
app.use(router)
app.mount('#app')

if (import.meta.env.PROD) registerServiceWorker()
