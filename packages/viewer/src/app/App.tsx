import { ApiClient } from '../data/api.ts';
import { TaskPage } from './TaskPage.tsx';
import { TasksPage } from './TasksPage.tsx';
import { useRoute } from './route.ts';

const api = new ApiClient();

/** The viewer: the tasks list, or one task, by the location hash. */
export function App() {
  const route = useRoute();
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
        {route.page === 'task' ? <TaskPage api={api} id={route.id} key={route.id} /> : <TasksPage api={api} />}
      </main>
    </>
  );
}
