import { useEffect, useState } from 'react';

/** The page the hash names: `#/` the tasks, `#/tasks/ID` one task. */
export type Route = { page: 'tasks' } | { page: 'task'; id: string };

/** Reads a location hash into a route. */
export function parseRoute(hash: string): Route {
  const match = /^#\/tasks\/([^/?#]+)/.exec(hash);
  return match?.[1] !== undefined ? { page: 'task', id: decodeURIComponent(match[1]) } : { page: 'tasks' };
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
