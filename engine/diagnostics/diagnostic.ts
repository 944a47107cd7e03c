export * from '../../contract/diagnostic.js';
