export { wordCount } from './words.js';
