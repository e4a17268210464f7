import { fargateMemoryOptions } from '../../src/guardrails/checks';

describe('Fargate task sizes', () => {
  test('match the ECS API reference table, including 8 and 16 vCPU', () => {
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryOptions(512)).toEqual([1024, 2048, 3072, 4096]);
    expect(fargateMemoryOptions(1024)).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(fargateMemoryOptions(2048)).toHaveLength(13); // 4-16 GB in 1 GB steps
    expect(fargateMemoryOptions(4096)).toHaveLength(23); // 8-30 GB in 1 GB steps
    expect(fargateMemoryOptions(8192)).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60].map(g => g * 1024));
    expect(fargateMemoryOptions(16384)).toEqual([32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120].map(g => g * 1024));
    expect(fargateMemoryOptions(300)).toEqual([]);
  });
});
