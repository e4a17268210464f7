// A Compose service's volumes: named volumes on EFS, tmpfs mounts as the baseline's in-memory
// writable paths, anonymous volumes as task scratch space, and a store's data directory kept.

import type { ServiceMapping } from './service';
import { parseVolume } from './values';
import type { AccessPointOptions, ContainerSecurityOptions, EfsVolumeOptions } from '../../index';
import { Code, code, pascal, quote, render } from '../code';
import { PropsModel } from '../model';

/**
 * Volumes: named volumes are EFS file systems; tmpfs mounts (the service's `tmpfs`, `type: tmpfs`
 * volumes and named volumes whose driver options say tmpfs) are the baseline's in-memory writable
 * paths, as Compose ran them; an anonymous volume is task scratch space; a store's data directory stays.
 */
export function mapVolumes(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  const inMemory = serviceTmpfs(c);
  if (f.has(at('volumes'))) {
    const volumes: Code[] = [];
    for (let i = 0; i < f.length(at('volumes')); i++) {
      const spec = f.kind(at('volumes', i)) === 'map'
        ? {
          source: f.str(at('volumes', i, 'source')),
          target: f.str(at('volumes', i, 'target')),
          type: f.str(at('volumes', i, 'type')),
          readOnly: f.bool(at('volumes', i, 'read_only')),
        }
        : parseVolume(f.str(at('volumes', i))!);
      const tmpfsVolume = spec.source !== undefined && f.str(['volumes', spec.source, 'driver_opts', 'type']) === 'tmpfs';
      if (spec.target && (spec.type === 'tmpfs' || ((spec.type ?? 'volume') === 'volume' && tmpfsVolume))) {
        inMemory.push(spec.target);
        f.mark(at('volumes', i));
      } else if (spec.target && spec.source && (spec.type ?? 'volume') === 'volume' && !/^[./~]/.test(spec.source) && f.hasKey(['volumes'], spec.source)) {
        const mount: PropsModel<EfsVolumeOptions> = { containerPath: spec.target, readOnly: spec.readOnly };
        const ids: PropsModel<AccessPointOptions> = { uid: f.int(['volumes', spec.source, 'driver_opts', 'uid']), gid: f.int(['volumes', spec.source, 'driver_opts', 'gid']) };
        if (ids.uid !== undefined || ids.gid !== undefined) mount.accessPoint = ids;
        volumes.push(code(`Volume.efs(${quote(spec.source.replace(/[^A-Za-z0-9_-]/g, '-'))}, fileSystems[${quote(spec.source)}], ${render(mount, '      ')})`));
        f.mark(at('volumes', i));
      } else if (spec.target && !spec.source) {
        volumes.push(code(`Volume.scratch(${quote(`${s.name}-${i}`)}, { containerPath: ${quote(spec.target)} })`));
        f.mark(at('volumes', i));
      } else if (s.known?.dataPath && spec.target && spec.source && (spec.target === s.known.dataPath || s.known.dataPath.startsWith(`${spec.target}/`))) {
        // The store's data stays: a file system of its own instead of the host's directory.
        const volume = `${s.name}-host-data`;
        c.file.fileSystems[volume] = `new efs.FileSystem(stack, ${quote(`${pascal(volume)}FileSystem`)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
        const mount: PropsModel<EfsVolumeOptions> = { containerPath: spec.target, readOnly: spec.readOnly };
        volumes.push(code(`Volume.efs(${quote(volume)}, fileSystems[${quote(volume)}], ${render(mount, '      ')})`));
        todo(at('volumes', i), `the host directory ${spec.source} held ${s.name}'s data: here an EFS file system (retained); copy the data in before the first start`);
      } else {
        todo(at('volumes', i), 'a bind mount of a local path: build the files into the image, or use EFS');
      }
    }
    if (volumes.length > 0) props.volumes = volumes;
    // A volume at /tmp takes the place of the baseline's scratch /tmp.
    if (volumes.some(v => /containerPath: '\/tmp'/.test((v as Code).text))) props.containerSecurity = { ...props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined, writablePaths: [] };
  }
  if (inMemory.length > 0) {
    const security = props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined;
    const given = security?.writablePaths;
    const base = Array.isArray(given) ? given : (security?.readOnlyRootFilesystem === false ? [] : ['/tmp']);
    props.containerSecurity = { ...security, writablePaths: [...new Set([...base, ...inMemory])] };
  }
}

/**
 * The service's `tmpfs` paths (`/run` or `/run:size=16M,mode=1750`). ECS takes no mode, owner or
 * size from Compose here: a path gets the baseline's options (nosuid, nodev, exec) and size.
 */
function serviceTmpfs(c: ServiceMapping): string[] {
  const { f, at } = c;
  if (!f.has(at('tmpfs'))) return [];
  const entries = f.kind(at('tmpfs')) === 'scalar' ? [f.str(at('tmpfs'))!]
    : Array.from({ length: f.length(at('tmpfs')) }, (_, i) => f.str(at('tmpfs', i))!);
  f.mark(at('tmpfs'));
  return entries.filter(e => e).map(e => e.split(':')[0]);
}
