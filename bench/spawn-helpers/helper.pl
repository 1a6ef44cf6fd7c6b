#!/usr/bin/perl
# Spawn helper candidate (bench/spawn-helpers.ts): forks and execs checks on the daemon's
# behalf, so that the fork copies this small process instead of the daemon.
#
# Requests on stdin, NUL-terminated fields:
#   S id cgroup-procs-path uid gid argc argv... envc env...   (empty path/uid/gid: none)
#   K id signal                                               (signals the run's group)
# Replies on stdout, one header line each:
#   P id pid | F id reason | O id n (then n bytes) | D id total-bytes | X id code signal
# The child's stdout and stderr share one pipe; the first 4 KiB are relayed, the rest counted.
use strict;
use warnings;
use POSIX qw(WNOHANG _exit setsid);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use IO::Select;

my $cap = 4096;
my ( %runs, %by_pid, %by_fd );
my $pending = '';

pipe( my $wake_r, my $wake_w ) or die "pipe: $!";
fcntl( $wake_w, F_SETFL, fcntl( $wake_w, F_GETFL, 0 ) | O_NONBLOCK );
$SIG{CHLD} = sub { syswrite $wake_w, 'x' };
my $select = IO::Select->new( \*STDIN, $wake_r );

sub reply {
    my ($text) = @_;
    while ( length $text ) {
        my $n = syswrite STDOUT, $text;
        die "write: $!" unless defined $n || $!{EINTR};
        substr( $text, 0, $n, '' ) if $n;
    }
}

sub finish {
    my ($run) = @_;
    return unless $run->{exited} && $run->{closed};
    delete $runs{ $run->{id} };
}

sub child {
    my ( $w, $cgroup, $uid, $gid, $argv, $env ) = @_;
    my $fail = sub { syswrite $w, "spawn helper: $_[0]: $!\n"; _exit(127) };
    setsid() or $fail->('setsid');
    if ( $cgroup ne '' ) {
        my $f;
        open( $f, '>', $cgroup ) && syswrite( $f, '0' ) && close $f
          or $fail->("cgroup $cgroup");
    }
    if ( $gid ne '' ) {
        $) = "$gid $gid";    # setgroups([gid]) and the effective gid
        POSIX::setgid($gid) or $fail->('setgid');
    }
    if ( $uid ne '' ) { POSIX::setuid($uid) or $fail->('setuid') }
    open( STDIN, '<', '/dev/null' ) or $fail->('stdin');
    open( STDOUT, '>&', $w ) && open( STDERR, '>&', $w ) or $fail->('stdout');
    %ENV = map { split /=/, $_, 2 } @$env;
    { no warnings 'exec'; exec { $argv->[0] } @$argv }
    $fail->("exec $argv->[0]");
}

sub start {
    my ( $id, $cgroup, $uid, $gid, $argv, $env ) = @_;
    pipe( my $r, my $w ) or return reply("F $id pipe: $!\n");
    my $pid = fork;
    if ( !defined $pid ) { reply("F $id fork: $!\n"); return }
    child( $w, $cgroup, $uid, $gid, $argv, $env ) if $pid == 0;
    close $w;
    my $run = { id => $id, pid => $pid, fh => $r, total => 0 };
    $runs{$id} = $run;
    $by_pid{$pid} = $run;
    $by_fd{ fileno $r } = $run;
    $select->add($r);
    reply("P $id $pid\n");
}

# Takes every complete request off the front of $pending.
sub requests {
    my @fields = split /\0/, $pending, -1;
    my $rest = pop @fields;
    while (@fields) {
        my $type = $fields[0];
        if ( $type eq 'K' ) {
            last if @fields < 3;
            my ( undef, $id, $signal ) = splice @fields, 0, 3;
            my $run = $runs{$id};
            kill -$signal, $run->{pid} if $run && !$run->{exited};
            next;
        }
        die "bad request type '$type'" unless $type eq 'S';
        last if @fields < 6;
        my $argc = $fields[5];
        last if @fields < 7 + $argc;
        my $envc = $fields[ 6 + $argc ];
        my $size = 7 + $argc + $envc;
        last if @fields < $size;
        my ( undef, $id, $cgroup, $uid, $gid ) = @fields;
        my @argv = @fields[ 6 .. 5 + $argc ];
        my @env  = @fields[ 7 + $argc .. 6 + $argc + $envc ];
        splice @fields, 0, $size;
        start( $id, $cgroup, $uid, $gid, \@argv, \@env );
    }
    $pending = join "\0", @fields, $rest;
}

sub relay {
    my ($fh) = @_;
    my $run = $by_fd{ fileno $fh };
    my $n   = sysread $fh, my $chunk, 65536;
    return if !defined $n && $!{EINTR};
    if ( !$n ) {
        $select->remove($fh);
        delete $by_fd{ fileno $fh };
        close $fh;
        $run->{closed} = 1;
        reply("D $run->{id} $run->{total}\n");
        return finish($run);
    }
    my $room = $cap - $run->{total};
    $run->{total} += $n;
    return if $room <= 0;
    my $part = $n <= $room ? $chunk : substr $chunk, 0, $room;
    reply( 'O ' . $run->{id} . ' ' . length($part) . "\n" . $part );
}

sub reap {
    while ( ( my $pid = waitpid -1, WNOHANG ) > 0 ) {
        my $run = delete $by_pid{$pid} or next;
        $run->{exited} = 1;
        my ( $code, $signal ) = ( $? & 127 ) ? ( -1, $? & 127 ) : ( $? >> 8, 0 );
        reply("X $run->{id} $code $signal\n");
        finish($run);
    }
}

while (1) {
    # The timeout only covers a SIGCHLD that lands between reap() and select().
    for my $fh ( $select->can_read(0.2) ) {
        if ( $fh == $wake_r ) { sysread $wake_r, my $drop, 512 }
        elsif ( fileno $fh == 0 ) {
            my $n = sysread STDIN, $pending, 65536, length $pending;
            next if !defined $n && $!{EINTR};
            if ( !$n ) {    # the daemon is gone: so are its checks
                kill -9, $_->{pid} for grep { !$_->{exited} } values %runs;
                exit 0;
            }
            requests();
        }
        else { relay($fh) }
    }
    reap();
}
