import * as fs from 'fs';
import * as path from 'path';
import { dotOf, PICTURES, scenarioPictures } from '../integ/pictures';

describe('architecture pictures', () => {
  test('every committed picture matches its scenario\'s snapshot (run `npx projen pictures` after integ:update)', () => {
    const pictures = scenarioPictures();
    expect(pictures.size).toBeGreaterThanOrEqual(16);
    const committed = fs.readdirSync(PICTURES).filter(f => f.endsWith('.dot')).map(f => f.replace(/\.dot$/, '')).sort();
    expect(committed).toEqual([...pictures.keys()].sort());
    for (const [name, source] of pictures) {
      expect([name, fs.readFileSync(path.join(PICTURES, `${name}.dot`), 'utf8')]).toEqual([name, source]);
      expect(fs.existsSync(path.join(PICTURES, `${name}.svg`))).toBe(true);
    }
  });

  test('a workload\'s alarms are one node, the VPC\'s parts one node, and references become arrows', () => {
    const template = {
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC' },
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
        Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Task' }, Subnets: [{ Ref: 'Subnet' }] } },
        Task: { Type: 'AWS::ECS::TaskDefinition' },
        A1: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Value: { 'Fn::GetAtt': ['Service', 'Name'] } }] } },
        A2: { Type: 'AWS::CloudWatch::Alarm' },
        Policy: { Type: 'AWS::IAM::Policy' },
      },
    };
    const paths = new Map([
      ['Vpc', 'S/Env/Vpc/Resource'], ['Subnet', 'S/Env/Vpc/PrivateSubnet1/Subnet'], ['Service', 'S/Api/Service/Service'],
      ['Task', 'S/Api/TaskDefinition/Resource'], ['A1', 'S/Api/Alarms/Cpu/Resource'], ['A2', 'S/Api/Alarms/Tasks/Resource'], ['Policy', 'S/Api/Role/Policy'],
    ]);
    const dot = dotOf('t', template, paths);
    expect(dot).toContain('"Api/Alarms" [label="Alarms\\nCloudWatch::Alarm x2"]');
    expect(dot).toContain('"Env/Vpc" [label="Vpc\\nEC2::Subnet\\nEC2::VPC"]');
    expect(dot).toContain('"Api/Alarms" -> "Api/Service";');
    expect(dot).toContain('"Api/Service" -> "Api/TaskDefinition";');
    expect(dot).not.toContain('-> "Env/Vpc"');
    expect(dot).not.toContain('IAM::Policy');
  });
});
