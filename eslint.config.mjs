// ESLint for the whole repository: the recommended JavaScript, TypeScript and Vue rules, and one
// local rule, `layers/imports`, that turns the README's promises about who imports what into errors.
import { isBuiltin } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import eslint from '@eslint/js'
import prettier from 'eslint-config-prettier/flat'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const root = dirname(fileURLToPath(import.meta.url))

/** A folder and everything inside it, or one file, as a repository-relative path without extension. */
const within = (path, folder) => path === folder || path.startsWith(`${folder}/`)

/**
 * The layers. Each rule names the files it applies to (`from`, folders or files; `except` carves
 * some out) and what they may not import; `forbids` gets the import as written (`specifier`) and,
 * for a relative one, the repository path it points at without extension (`target`).
 */
const layerRules = [
  {
    from: ['electron/backend', 'shared', 'renderer'],
    forbids: ({ specifier }) => specifier === 'electron' || specifier.startsWith('electron/'),
    message:
      'imports `electron`: the backend, shared code and the renderer run without Electron (plain Node, CLI, web mode, browser); only electron/main and electron/preload may use it'
  },
  {
    from: ['shared', 'renderer'],
    forbids: ({ specifier }) => isBuiltin(specifier),
    message: 'imports a Node built-in: shared code and the renderer also run in the browser'
  },
  {
    from: ['renderer'],
    except: ['renderer/src/stores', 'renderer/src/transport'],
    forbids: ({ target }) => target !== null && within(target, 'renderer/src/transport'),
    message: 'imports renderer/src/transport: components and views render and emit; only the stores talk to the backend'
  },
  {
    from: ['shared', 'renderer'],
    forbids: ({ target }) => target !== null && within(target, 'electron'),
    message: 'imports code under electron/: shared code and the renderer depend only on shared/ (and the renderer on itself)'
  },
  {
    from: ['electron'],
    except: ['electron/backend'],
    forbids: ({ target }) => target !== null && within(target, 'electron/backend') && target !== 'electron/backend' && target !== 'electron/backend/index',
    message: 'reaches inside the backend: the CLI and the desktop shell use only its public surface, electron/backend/index.ts (export what is needed there)'
  }
]

/** The local plugin holding the layer rule. */
const layers = {
  rules: {
    imports: {
      meta: {
        type: 'problem',
        docs: { description: 'Holds the import boundaries between the backend, shared code, the renderer, its transport and the CLI' },
        schema: [],
        messages: { forbidden: "'{{specifier}}' {{reason}}" }
      },
      create(context) {
        const file = relative(root, context.filename).split('\\').join('/')
        const rules = layerRules.filter(({ from, except = [] }) => from.some((folder) => within(file, folder)) && !except.some((folder) => within(file, folder)))
        if (rules.length === 0) return {}
        const check = (source) => {
          if (source?.type !== 'Literal' || typeof source.value !== 'string') return
          const specifier = source.value
          const target = specifier.startsWith('.')
            ? relative(root, resolve(dirname(context.filename), specifier))
                .split('\\')
                .join('/')
                .replace(/\.(ts|vue|js|mjs)$/, '')
                .replace(/\/index$/, '')
            : null
          for (const rule of rules) {
            if (rule.forbids({ specifier, target })) context.report({ node: source, messageId: 'forbidden', data: { specifier, reason: rule.message } })
          }
        }
        return {
          ImportDeclaration: (node) => check(node.source),
          ExportNamedDeclaration: (node) => check(node.source),
          ExportAllDeclaration: (node) => check(node.source),
          ImportExpression: (node) => check(node.source),
          TSImportType: (node) => check(node.source),
          TSExternalModuleReference: (node) => check(node.expression),
          'CallExpression[callee.name="require"]': (node) => check(node.arguments[0])
        }
      }
    }
  }
}

export default tseslint.config(
  // Fixtures are data, except the small programs tests start as other processes.
  { ignores: ['out/', 'node_modules/', 'test-results/', 'playwright-report/', 'test/fixtures/*', '!test/fixtures/programs/'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } }
  },
  {
    // Plain JavaScript here is configuration and scripts run by Node.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node }
  },
  {
    // CommonJS: `.cjs` files, and the test programs plain `node` runs from a copy outside the checkout.
    files: ['**/*.cjs', 'test/fixtures/programs/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.vue'],
    rules: {
      // TypeScript itself reports undefined names, with the right globals for each side.
      'no-undef': 'off',
      // `const { dropped: _dropped, ...kept } = value` is how a field is left out of a copy; a leading
      // underscore marks a parameter a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }]
    }
  },
  {
    // The app's code says what it does when a value is missing (a check, `.at()` with a test, or
    // elementAt from shared/element-at.ts), never `!`; tests may still assert what they set up.
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' }
  },
  {
    plugins: { layers },
    rules: { 'layers/imports': 'error' }
  },
  prettier
)
