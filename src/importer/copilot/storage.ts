/** storage.volumes: EFS (managed or existing) and scratch volumes, and COPILOT_MOUNT_POINTS. */
import type { AccessPointOptions, EfsVolumeOptions } from '../../index';
import { Code, code, pascal, quote, render } from '../code';
import { Mapper, Workload } from './mapper';
import { PropsModel } from '../model';
import { FieldFate, YamlFile } from '../source';

/** Copilot's `storage.volumes`: EFS (managed or existing) or an empty volume the containers share. */
export function volumes(m: Mapper, w: Workload): Code[] {
  return m.file.keys(m.p('storage', 'volumes')).map(name => volume(m, w, name));
}

/** One volume of `storage.volumes`, mounted by the main container and the sidecars that mount it at the same path. */
function volume(m: Mapper, w: Workload, name: string): Code {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('storage', 'volumes', name, ...rest);
  const rest = (...more: string[]) => ['storage', 'volumes', name, ...more];
  const containerPath = f.str(at('path'));
  if (containerPath === undefined) throw f.error(at(), `storage.volumes.${name} has no path: expected the directory it is mounted at`);
  m.done(FieldFate.MAPPED, ...rest('path'));
  // Copilot mounted volumes read-only unless read_only: false.
  const readOnly = f.bool(at('read_only')) ?? true;
  if (f.has(at('read_only'))) m.done(FieldFate.MAPPED, ...rest('read_only'));
  const containers = mountingContainers(m, name, containerPath);
  const mount: PropsModel<EfsVolumeOptions> = { containerPath, readOnly, containers: containers.length > 1 ? containers : undefined };
  const id = m.id(`${pascal(w.name)}${pascal(name)}`);
  if (!f.has(at('efs')) || (f.kind(at('efs')) === 'scalar' && f.bool(at('efs')) === false)) {
    if (f.has(at('efs'))) m.done(FieldFate.MAPPED, ...rest('efs'));
    return code(`Volume.scratch(${quote(name)}, ${render(mount, '    ')})`);
  }
  const fileSystem = efsFileSystem(m, name, id);
  // Copilot's managed volume: the directory /<service> owned by a uid and gid taken from the
  // service's name (CRC32), so that files copied across keep their owner.
  const managed = !f.has(at('efs', 'id'));
  const accessPoint: PropsModel<AccessPointOptions> = {
    path: f.str(at('efs', 'root_dir')) ?? (managed ? `/${w.name}` : undefined),
    uid: f.int(at('efs', 'uid')) ?? (managed ? crc32(w.name) : undefined),
    gid: f.int(at('efs', 'gid')) ?? (managed ? crc32(w.name) : undefined),
  };
  for (const k of ['root_dir', 'uid', 'gid']) if (f.has(at('efs', k))) m.done(FieldFate.MAPPED, ...rest('efs', k));
  if (f.has(at('efs', 'auth', 'iam'))) m.done(FieldFate.MAPPED, ...rest('efs', 'auth', 'iam')); // IAM authorization is always on here.
  if (f.has(at('efs', 'auth', 'access_point_id'))) {
    m.todo(rest('efs', 'auth', 'access_point_id'), `the volume gets an access point of its own (accessPoint.path, uid, gid); ${f.str(at('efs', 'auth', 'access_point_id'))} is not used`);
  }
  if (Object.values(accessPoint).some(v => v !== undefined)) mount.accessPoint = accessPoint;
  return code(`Volume.efs(${quote(name)}, ${fileSystem}, ${render(mount, '    ')})`);
}

/** `app` and the sidecars that mount the volume at the same path (they share it); another path needs a person. */
function mountingContainers(m: Mapper, name: string, containerPath: string): string[] {
  const f = m.file;
  const containers = ['app'];
  for (const other of f.keys(m.p('sidecars'))) {
    const mounts = f.length(m.p('sidecars', other, 'mount_points'));
    for (let i = 0; i < mounts; i++) {
      const mp = (k: string) => m.p('sidecars', other, 'mount_points', i, k);
      if (f.str(mp('source_volume')) !== name) continue;
      if (f.str(mp('path')) === containerPath) {
        containers.push(other);
        m.done(FieldFate.MAPPED, 'sidecars', other, 'mount_points', i);
      } else {
        m.todo(['sidecars', other, 'mount_points', i], `${other} mounts ${name} at ${f.str(mp('path'))}, not ${containerPath}: a volume has one path here; give the sidecar its own Volume or the same path`);
      }
    }
  }
  return containers;
}

/** A volume's `efs`: an existing file system by id, one from a CloudFormation export, or a new one in place of Copilot's managed one. */
function efsFileSystem(m: Mapper, name: string, id: string): string {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('storage', 'volumes', name, ...rest);
  const rest = (...more: string[]) => ['storage', 'volumes', name, ...more];
  const fsId = f.kind(at('efs')) === 'map' && f.kind(at('efs', 'id')) === 'scalar' ? f.str(at('efs', 'id')) : undefined;
  const group = `securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, ${quote(`${id}FileSystemGroup`)}, 'sg-00000000000000000', { mutable: false }) })`;
  if (fsId !== undefined) {
    m.todo(rest('efs', 'id'), `give the security group of ${fsId} (Copilot required it to admit the environment's tasks on 2049)`);
    return `efs.FileSystem.fromFileSystemAttributes(stack, ${quote(`${id}FileSystem`)}, { fileSystemId: ${quote(fsId)}, ${group}`;
  }
  if (f.has(at('efs', 'id'))) {
    m.todo(rest('efs', 'id'), 'a file system from a CloudFormation export: pass Fn.importValue to efs.FileSystem.fromFileSystemAttributes');
    return `efs.FileSystem.fromFileSystemAttributes(stack, ${quote(`${id}FileSystem`)}, { fileSystemId: Fn.importValue(${quote(String(f.value(at('efs', 'id', 'from_cfn'))))}), ${group}`;
  }
  // Copilot's managed file system: one per environment, kept when the service went away.
  m.todo(rest('efs'), 'a new encrypted file system replaces the one Copilot managed: copy its data across (AWS DataSync) or import it with efs.FileSystem.fromFileSystemAttributes');
  return `new efs.FileSystem(stack, ${quote(`${id}FileSystem`)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
}

/** CRC-32 (IEEE), as Go's crc32.ChecksumIEEE, which Copilot used for a managed volume's uid and gid. */
export function crc32(text: string): number {
  /* eslint-disable no-bitwise -- a checksum is bit arithmetic */
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
  /* eslint-enable no-bitwise */
}

/** COPILOT_MOUNT_POINTS as Copilot set it: a JSON map of each volume's name to its path in the container. */
export function mountPoints(f: YamlFile): string[] {
  const names = f.keys(['storage', 'volumes']).filter(n => f.kind(['storage', 'volumes', n, 'path']) === 'scalar');
  return names.length === 0 ? [] : [JSON.stringify(Object.fromEntries(names.map(n => [n, f.str(['storage', 'volumes', n, 'path'])])))];
}
