import { describe, expect, it } from 'vitest';
import { parseMetricsAddress } from '../../engine/metrics/metrics-address.js';

describe('--metrics-address', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    [':9464', { host: '127.0.0.1', port: 9464 }],
    ['9464', { host: '127.0.0.1', port: 9464 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ])('%s', (text, expected) => {
    expect(parseMetricsAddress(text)).toEqual(expected);
  });

  it.each(['', 'host', 'host:', 'host:99999', '::1:9464', 'host:12ab'])('refuses %j', (text) => {
    expect(() => parseMetricsAddress(text)).toThrow(/expected HOST:PORT/);
  });
});
