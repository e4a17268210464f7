/**
 * The importers' typed model: a prop name or a value type the library does not have fails to
 * compile in the importer's build. The `@ts-expect-error` lines are the test: the gate's
 * type-check (`tsc -p test/tsconfig.json`) fails if any of them compiles.
 */
import { code } from '../../src/importer/code';
import { WorkloadPropsModel } from '../../src/importer/model';

describe('the typed model of workload props', () => {
  test('takes the library\'s props, values or code at any depth', () => {
    const props: WorkloadPropsModel = {
      environment: code('environment'),
      containerPort: 8080,
      desiredCount: 2,
      containerSecurity: { imageUser: true, readOnlyRootFilesystem: false, writablePaths: ['/tmp'] },
      healthCheck: { command: ['CMD', 'true'], interval: code('Duration.seconds(5)') },
      serviceConnect: { dnsName: 'order-api' },
      volumes: [code("Volume.scratch('x', { containerPath: '/x' })")],
    };
    expect(Object.keys(props)).toHaveLength(7);
  });

  test('refuses a prop the library does not have, and a value of the wrong type', () => {
    const wrong: WorkloadPropsModel[] = [
      // @ts-expect-error containerPortt is not a prop
      { containerPortt: 8080 },
      // @ts-expect-error desiredCount is a number
      { desiredCount: '2' },
      // @ts-expect-error containerSecurity has no field root
      { containerSecurity: { root: true } },
      // @ts-expect-error serviceConnect.dnsName is a string
      { serviceConnect: { dnsName: 5 } },
    ];
    expect(wrong).toHaveLength(4);
  });
});
