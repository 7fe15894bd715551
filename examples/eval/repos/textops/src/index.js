export { slugify } from './slugify.js';
export { wrap } from './wrap.js';
export { parseDuration } from './duration.js';
