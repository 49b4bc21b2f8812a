import nock from 'nock';

// nock patches node:http and fetch, which jest does not reload between test files of one worker:
// a file that leaves nock active (or net connect disabled) would break a later file's real
// loopback requests at random, depending on which files share a worker. Every file hands the
// network back as it found it.
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
