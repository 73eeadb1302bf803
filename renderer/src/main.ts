/** The renderer's entry: one Vue app, one Pinia. */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './styles.css'
// Registers the probe row actions ("Probe this remote") at start-up, before the Probe view is opened.
import './stores/probe'
// Registers "Capture this" on socket rows at start-up, before the Capture view is opened.
import './stores/capture'
// Registers "Focus on this process" and "Who holds this port" on socket rows at start-up.
import './stores/focus'
import './stores/ports'

createApp(App).use(createPinia()).mount('#app')
