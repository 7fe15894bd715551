import { useSyncExternalStore } from 'react';
import { ApiClient } from '../data/api.ts';
import { TaskPage } from './TaskPage.tsx';
import { TasksPage } from './TasksPage.tsx';
import { TokenForm } from './TokenForm.tsx';
import { useRoute } from './route.ts';

const api = new ApiClient();
let tokensGiven = 0;
api.auth.subscribe(() => {
  if (api.auth.state === 'none-needed') tokensGiven++;
});

/** The viewer: the tasks list, or one task, by the location hash; the token form while the server wants one. */
export function App() {
  const route = useRoute();
  const tokenState = useSyncExternalStore(
    (listener) => api.auth.subscribe(listener),
    () => api.auth.state,
  );
  // A new token reloads the page's data: the pages are mounted afresh.
  const generation = useSyncExternalStore(
    (listener) => api.auth.subscribe(listener),
    () => tokensGiven,
  );
  return (
    <>
      <header className="top">
        <a href="#/" className="brand">
          codecrew
        </a>
        <nav aria-label="main">
          <a href="#/">Tasks</a>
        </nav>
      </header>
      <main>
        {tokenState !== 'none-needed' ? (
          <TokenForm auth={api.auth} />
        ) : route.page === 'task' ? (
          <TaskPage api={api} id={route.id} key={`${route.id}-${generation}`} />
        ) : (
          <TasksPage api={api} key={generation} />
        )}
      </main>
    </>
  );
}
