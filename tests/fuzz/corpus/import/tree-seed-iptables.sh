#!/bin/sh
# The user's firewall script from /work/shared/seed/000_66219781b1af82cf.txt (its Japanese
# annotations removed). A test fixture for `pppkit firewall import` and the bench, which runs it
# as is inside a network namespace only. Keep it verbatim otherwise (the 176.16.0.0/12 typo included).

readonly   thishost='172.16.2.1'
readonly  localarea='172.16.0.0/16'

readonly  myserver1='172.16.1.100'
readonly  myserver2='172.16.1.101'

readonly        any='0.0.0.0/0'

readonly  local_nic='ens160'
readonly global_nic='ppp0'


#-------------------------------------------------------------------------------
# Initialize
#-------------------------------------------------------------------------------

# Initialize
iptables -F
iptables -t nat -F
iptables -X
iptables -Z
iptables -P INPUT   ACCEPT
iptables -P OUTPUT  ACCEPT
iptables -P FORWARD ACCEPT

iptables -N LOGGING_I
iptables -N LOGGING_F
iptables -N LOGGING_O

# Policy
iptables -P INPUT DROP
iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT

iptables -P OUTPUT ACCEPT
iptables -A OUTPUT -o $global_nic -d 10.0.0.0/8     -j LOGGING_O
iptables -A OUTPUT -o $global_nic -d 176.16.0.0/12  -j LOGGING_O
iptables -A OUTPUT -o $global_nic -d 192.168.0.0/16 -j LOGGING_O
iptables -A OUTPUT -o $global_nic -d 127.0.0.0/8    -j LOGGING_O

iptables -P FORWARD DROP
iptables -A FORWARD -p tcp -i $local_nic -o $global_nic -m multiport --dports 135,137:139,445 -j DROP
iptables -A FORWARD -p udp -i $local_nic -o $global_nic -m multiport --dports 135,137:139,445 -j DROP
iptables -A FORWARD -i $local_nic -o $global_nic -j ACCEPT
iptables -A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT

# Loopback
iptables -A INPUT  -i lo -j ACCEPT
iptables -A OUTPUT -o lo -j ACCEPT


#-------------------------------------------------------------------------------
# Router setting
#-------------------------------------------------------------------------------
iptables -t nat -A POSTROUTING -s $localarea -o $global_nic -j MASQUERADE


#-------------------------------------------------------------------------------
# Local area network setting
#-------------------------------------------------------------------------------

### DNS
iptables -A INPUT -p udp -i $local_nic -d $thishost --dport 53 -j ACCEPT

### ICMP
iptables  -A INPUT  -p icmp --icmp-type echo-request -i $global_nic -j ACCEPT -m comment --comment 'ICMP(grobal)'
iptables  -A INPUT  -p icmp --icmp-type echo-reply   -i $global_nic -j ACCEPT -m comment --comment 'ICMP(grobal)'
#iptables -A OUTPUT -p icmp --icmp-type echo-reply   -o $global_nic -j ACCEPT -m comment --comment 'ICMP(grobal)'
#iptables -A OUTPUT -p icmp --icmp-type echo-request -o $global_nic -j ACCEPT -m comment --comment 'ICMP(grobal)'
iptables  -A INPUT  -p icmp -i $local_nic -j ACCEPT -m comment --comment 'ICMP(all-ok, local)'
#iptables -A OUTPUT -p icmp -o $local_nic -j ACCEPT -m comment --comment 'ICMP(all-ok, local)'

### IGMP
#iptables -A INPUT  -p igmp -j ACCEPT
#iptables -A OUTPUT -p igmp -j ACCEPT

### SSH
iptables -A INPUT -p tcp -i $local_nic -d $thishost --dport 22 -j ACCEPT


#-------------------------------------------------------------------------------
# Listen on wide area network setting
#-------------------------------------------------------------------------------

### HTTPS
iptables -t nat -A PREROUTING -p tcp -i $global_nic -d $any       --dport 443   -j DNAT --to-destination $myserver1:443
iptables        -A FORWARD    -p tcp -i $global_nic -d $myserver1 --dport 443   -j ACCEPT

### HTTP
iptables -t nat -A PREROUTING -p tcp -i $global_nic -d $any       --dport 80    -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p tcp -i $global_nic -d $myserver1 --dport 80    -j ACCEPT

### SMTP
iptables -t nat -A PREROUTING -p tcp -i $global_nic -d $any       --dport 25    -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p tcp -i $global_nic -d $myserver1 --dport 25    -j ACCEPT

### HTTP(Server2)
iptables -t nat -A PREROUTING -p tcp -i $global_nic -d $any       --dport 18080 -j DNAT --to-destination $myserver2
iptables        -A FORWARD    -p tcp -i $global_nic -d $myserver2 --dport 18080 -j ACCEPT

### RTMP(Adobe Systems Flash Time Messaging Protocol)
iptables -t nat -A PREROUTING -p tcp -i $global_nic -d $any       --dport 1935  -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p tcp -i $global_nic -d $myserver1 --dport 1935  -j ACCEPT

### L2TP
iptables -t nat -A PREROUTING -p udp -i $global_nic -d $any       --dport 1701  -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p udp -i $global_nic -d $myserver1 --dport 1701  -j ACCEPT

### ISAKMP
iptables -t nat -A PREROUTING -p udp -i $global_nic -d $any       --dport 500   -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p udp -i $global_nic -d $myserver1 --dport 500   -j ACCEPT

### IPSec NAT Traversal
iptables -t nat -A PREROUTING -p udp -i $global_nic -d $any       --dport 4500  -j DNAT --to-destination $myserver1
iptables        -A FORWARD    -p udp -i $global_nic -d $myserver1 --dport 4500  -j ACCEPT


#-------------------------------------------------------------------------------
# Diffender
#-------------------------------------------------------------------------------


#-------------------------------------------------------------------------------
# Logging
#-------------------------------------------------------------------------------

iptables -A LOGGING_I -j LOG --log-level warning --log-prefix "[IPT BLOCK I] " -m limit
#iptables -A LOGGING_I -j LOG --log-level warning --log-prefix "[IPT BLOCK I] "
iptables -A LOGGING_I -j DROP
iptables -A INPUT -j LOGGING_I

iptables -A LOGGING_F -j LOG --log-level warning --log-prefix "[IPT BLOCK F] " -m limit
#iptables -A LOGGING_F -j LOG --log-level warning --log-prefix "[IPT BLOCK F] "
iptables -A LOGGING_F -j DROP
iptables -A FORWARD -j LOGGING_F

iptables -A LOGGING_O -j LOG --log-level warning --log-prefix "[IPT BLOCK O] " -m limit
#iptables -A LOGGING_O -j LOG --log-level warning --log-prefix "[IPT BLOCK O] "
iptables -A LOGGING_O -j DROP
#iptables -A OUTPUT -j LOGGING_O
